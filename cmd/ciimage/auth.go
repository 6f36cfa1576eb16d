package main

import (
	"context"
	"io"
)

func runAuth(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return exitUsage
}
