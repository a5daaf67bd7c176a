//go:build !unix

package main

import "time"

func selfCPU() (user, sys time.Duration, ok bool) { return 0, 0, false }
