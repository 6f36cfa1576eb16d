package main

import (
	"context"
	"io"
)

func runResolve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return exitUsage
}
