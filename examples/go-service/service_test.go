package service

import (
	"encoding/json"
	"sort"
	"testing"
	"time"
)

func request(b *testing.B) []byte {
	body, err := json.Marshal(Order{ID: 42, Items: []string{"disk", "cpu", "ram", "nic"}, Total: 1234.5})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkHandle serves requests one after another and reports, besides ns/op, B/op and
// allocs/op: throughput (req/s), latency percentiles (p50-ns, p95-ns, p99-ns) and the
// fraction of requests that failed (errors/op).
func BenchmarkHandle(b *testing.B) {
	backend, err := NewBackend(7)
	if err != nil {
		b.Fatal(err)
	}
	body := request(b)
	latencies := make([]time.Duration, 0, b.N)
	failed := 0
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		if _, err := Handle(backend, body); err != nil {
			failed++
		}
		latencies = append(latencies, time.Since(t))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	quantile := func(q float64) float64 {
		return float64(latencies[int(q*float64(len(latencies)-1))].Nanoseconds())
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(quantile(0.50), "p50-ns")
	b.ReportMetric(quantile(0.95), "p95-ns")
	b.ReportMetric(quantile(0.99), "p99-ns")
	b.ReportMetric(float64(failed)/float64(b.N), "errors/op")
}

// BenchmarkEncode is the CPU part alone: decoding the order and encoding the reply.
func BenchmarkEncode(b *testing.B) {
	body := request(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var order Order
		if err := json.Unmarshal(body, &order); err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(Reply{ID: order.ID, Status: "accepted", Items: len(order.Items)}); err != nil {
			b.Fatal(err)
		}
	}
}
