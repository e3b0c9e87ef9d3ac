/* The accuracy experiment's workload: N rounds of a fixed-cost xorshift step, so its time (and
 * its instruction count) scales with N and a known slowdown can be injected: `work 3000000` vs
 * `work 3150000` is exactly 5 % more work. */
#include <stdint.h>
#include <stdlib.h>

volatile uint64_t sink;

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    uint64_t x = 88172645463325252ull;
    for (long i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    sink = x;
    return 0;
}
