/* The accuracy experiment's workload: N rounds of a fixed-cost xorshift step, so its time (and
 * its instruction count) scales with N and a known slowdown can be injected: `work 3000000` vs
 * `work 3150000` is exactly 5 % more work. */
#include <stdint.h>
#include <stdlib.h>

/* Without an argument: ROUNDS rounds (the paired-confirmation trials compile it in, so two
 * commits differ by their builds). */
#ifndef ROUNDS
#define ROUNDS 1000000
#endif

volatile uint64_t sink;

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : ROUNDS;
    uint64_t x = 88172645463325252ull;
    for (long i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    sink = x;
    return 0;
}
