//go:build !js

package loadgen_test

import (
	"context"
	"fmt"
	"time"

	"github.com/duplexio/duplex/bench/loadgen"
)

// Connect 100 clients to a server implementing the benchmark contract, run a
// closed echo loop for 5 s, then a broadcast of 100 × 128 B to all of them.
func Example() {
	ctx := context.Background()
	d := loadgen.NewDialer("127.0.0.1:3000", nil)
	defer d.Close()
	conns, err := loadgen.Connect(ctx, d, 100, 16)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer loadgen.CloseAll(conns)

	echo, err := loadgen.Echo(ctx, conns, 5*time.Second, 0, 5*time.Second)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("round trips:", echo.RoundTrips, "p99:", echo.Latency.Quantile(0.99))

	b := loadgen.Broadcast{Count: 100, Size: 128}
	res, err := loadgen.RunBroadcast(ctx, conns[0], conns, nil, b, 30*time.Second)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("delivered", res.Delivered, "of", res.Expected, "in", res.Elapsed)
}
