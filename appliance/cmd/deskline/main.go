// Command deskline is the Deskline daemon: a PBX and small contact centre in
// one program. It is deliberately thin: all wiring lives in package appliance.
//
// Usage: deskline [-data DIR] [-sip ADDR] [-http ADDR] [-rtp MIN-MAX] [-log-level LEVEL] [-demo]
// Each flag can also be set by an environment variable (see -help).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"deskline/appliance"
)

func main() {
	cfg, err := appliance.ParseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "deskline:", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := appliance.Run(ctx, cfg, log, os.Stdout); err != nil {
		log.Error("deskline failed", "err", err)
		os.Exit(1)
	}
}
