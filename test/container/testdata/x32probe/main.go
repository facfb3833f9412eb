// Command x32probe makes one system call through the x32 ABI (getpid with
// the x32 bit) and prints the errno, 0 when the call succeeded. The
// container tests run it under the default seccomp profile.
package main

import (
	"fmt"
	"syscall"
)

const x32Bit = 0x40000000

func main() {
	_, _, errno := syscall.RawSyscall(x32Bit+syscall.SYS_GETPID, 0, 0, 0)
	fmt.Println("errno", int(errno))
}
