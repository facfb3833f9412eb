package logging

import (
	"net"
	"testing"
)

// listenUnixgram serves a datagram socket at path for the test's duration
// and returns the messages it receives.
func listenUnixgram(t *testing.T, path string) <-chan []byte {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return receive(c)
}

// receive collects the datagrams read from c.
func receive(c net.PacketConn) <-chan []byte {
	ch := make(chan []byte, 100)
	go func() {
		buf := make([]byte, 1<<17)
		for {
			n, _, err := c.ReadFrom(buf)
			if err != nil {
				close(ch)
				return
			}
			ch <- append([]byte(nil), buf[:n]...)
		}
	}()
	return ch
}
