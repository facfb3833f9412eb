package hostinfo

import (
	"bufio"
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// x32Bit marks a system call as made through the x32 ABI.
const x32Bit = 0x40000000

// X32ABI reports whether an amd64 kernel runs system calls of the x32 ABI.
// Docker's seccomp profile lists the x32 architecture next to x86_64; on a
// kernel built without x32 its rules can never match a call, yet runc still
// compiles them at every start (about a fifth of the profile's cost there).
//
// The probe is an x32 getpid. A seccomp filter can kill the caller for an
// architecture it does not list, so a process already under seccomp does
// not probe and answers true: the profile then keeps x32, as Docker's does.
func X32ABI() bool {
	if runtime.GOARCH != "amd64" || underSeccomp() {
		return runtime.GOARCH == "amd64"
	}
	_, _, errno := unix.RawSyscall(x32Bit+unix.SYS_GETPID, 0, 0, 0)
	return errno != unix.ENOSYS
}

// underSeccomp reports whether this process runs under a seccomp filter or
// strict mode; when /proc cannot tell, it assumes so.
func underSeccomp() bool {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return true
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Seccomp:"); ok {
			return strings.TrimSpace(v) != "0"
		}
	}
	return true
}
