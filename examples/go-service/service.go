// Package service is a tiny order service: Handle decodes a JSON order, calls a backend (here a
// seeded stand-in whose latency and failures are those of a typical dependency) and encodes the
// reply. Its benchmarks (service_test.go) report throughput, latency percentiles, the error rate
// and the memory each request costs; ../benchgate.toml gates them.
package service

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"strconv"
	"time"
)

// Order is a request.
type Order struct {
	ID    int      `json:"id"`
	Items []string `json:"items"`
	Total float64  `json:"total"`
}

// Reply is a response.
type Reply struct {
	ID       int    `json:"id"`
	Status   string `json:"status"`
	Items    int    `json:"items"`
	Receipt  string `json:"receipt"`
	Attempts int    `json:"attempts"`
}

// ErrBackend is what a failed backend call returns.
var ErrBackend = errors.New("backend unavailable")

// Backend stands in for the service's dependency: each call takes a log-normal time (median
// Median, sigma 0.3) and fails with probability FailRate, both drawn from a seeded source.
type Backend struct {
	Median   time.Duration
	FailRate float64
	rng      *rand.Rand
}

// NewBackend is a backend seeded with seed, slowed down by GOSVC_SLOWDOWN (a whole number,
// default 1): the regression the gate must catch.
func NewBackend(seed int64) (*Backend, error) {
	slowdown := 1
	if text, ok := os.LookupEnv("GOSVC_SLOWDOWN"); ok {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 || n > 100 {
			return nil, fmt.Errorf("GOSVC_SLOWDOWN=%q: expected a whole number from 1 to 100", text)
		}
		slowdown = n
	}
	return &Backend{
		Median:   time.Duration(slowdown) * 2 * time.Millisecond,
		FailRate: 0.002,
		rng:      rand.New(rand.NewSource(seed)),
	}, nil
}

// Call waits as long as the backend takes and reports whether it failed.
func (b *Backend) Call() error {
	wait := float64(b.Median) * math.Exp(0.3*b.rng.NormFloat64())
	time.Sleep(time.Duration(wait))
	if b.rng.Float64() < b.FailRate {
		return ErrBackend
	}
	return nil
}

// Handle serves one request.
func Handle(backend *Backend, request []byte) ([]byte, error) {
	var order Order
	if err := json.Unmarshal(request, &order); err != nil {
		return nil, fmt.Errorf("bad request: %w", err)
	}
	if err := backend.Call(); err != nil {
		return nil, err
	}
	reply := Reply{
		ID:       order.ID,
		Status:   "accepted",
		Items:    len(order.Items),
		Receipt:  fmt.Sprintf("R-%08d-%.2f", order.ID, order.Total),
		Attempts: 1,
	}
	return json.Marshal(reply)
}
