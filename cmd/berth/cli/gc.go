package cli

import (
	"os"
	"runtime/debug"
)

// TuneGC sets the collector for a command line rather than a server. A
// command lives for milliseconds to seconds and its heap stays small; at
// Go's default, a collection every time the heap doubles from 4 MiB, every
// `run --rm` ran one collection, about 5 ms of a 120 ms run on two cores.
// A collection when the heap grows fivefold (from 16 MiB) skips it; the
// 64 MiB soft limit brings collections back for a long command whose heap
// keeps growing. GOGC and GOMEMLIMIT, when set, win.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(64 << 20)
	}
}
