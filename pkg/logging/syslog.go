package logging

import (
	"encoding/binary"
	"net"
	"os"
	"strconv"
	"sync"
	"time"
)

// netSink sends each entry as one message over a socket that is dialled
// lazily and again after an error (at most once a second). A message that
// cannot be sent is dropped and counted; writes have a deadline so that a
// stalled receiver cannot stall the container.
type netSink struct {
	mu      sync.Mutex
	dial    func() (net.Conn, error)
	format  func(dst []byte, stream string, msg []byte, partial bool, t time.Time) []byte
	stream  bool // a stream socket: messages are newline-framed
	conn    net.Conn
	redial  time.Time
	buf     []byte
	dropped uint64
	lastErr error
}

const (
	netTimeout = time.Second
	sevErr     = 3
	sevInfo    = 6
)

func severity(stream string) int {
	if stream == stderrStream {
		return sevErr
	}
	return sevInfo
}

func (s *netSink) WriteEntry(stream string, line []byte, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		if time.Now().Before(s.redial) {
			s.drop(s.lastErr)
			return
		}
		c, err := s.dial()
		if err != nil {
			s.redial = time.Now().Add(time.Second)
			s.drop(err)
			return
		}
		s.conn = c
	}
	msg, partial := line, true
	if n := len(msg); n > 0 && msg[n-1] == '\n' {
		msg, partial = msg[:n-1], false
	}
	s.buf = s.format(s.buf[:0], stream, msg, partial, t)
	if s.stream && (len(s.buf) == 0 || s.buf[len(s.buf)-1] != '\n') {
		s.buf = append(s.buf, '\n')
	}
	_ = s.conn.SetWriteDeadline(time.Now().Add(netTimeout))
	if _, err := s.conn.Write(s.buf); err != nil {
		_ = s.conn.Close()
		s.conn = nil
		s.drop(err)
	}
	if cap(s.buf) > bigBuffer {
		s.buf = nil
	}
}

func (s *netSink) drop(err error) {
	s.dropped++
	s.lastErr = err
}

func (s *netSink) Dropped() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped, s.lastErr
}

func (s *netSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	return err
}

// newSyslogWriter sends entries to syslog: stdout at severity info, stderr
// at err, as Docker's syslog driver does, in Docker's formats: the default
// "<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG", rfc3164 (with the host name) and
// rfc5424 / rfc5424micro.
func newSyslogWriter(o options, id string) *netSink {
	tag := renderTag(o.tag, id)
	host, _ := os.Hostname()
	pid := strconv.Itoa(os.Getpid())
	network, address := o.network, o.address
	s := &netSink{stream: network == "tcp" || network == "unix"}
	s.dial = func() (net.Conn, error) {
		if network != "" {
			return net.DialTimeout(network, address, netTimeout)
		}
		// The local syslog: a datagram socket usually, a stream one else.
		c, err := net.DialTimeout("unixgram", devLog, netTimeout)
		if err == nil {
			s.stream = false
			return c, nil
		}
		s.stream = true
		return net.DialTimeout("unix", devLog, netTimeout)
	}
	s.format = func(dst []byte, stream string, msg []byte, _ bool, t time.Time) []byte {
		dst = append(dst, '<')
		dst = strconv.AppendInt(dst, int64(o.facility<<3|severity(stream)), 10)
		dst = append(dst, '>')
		switch o.format {
		case "rfc5424", "rfc5424micro":
			layout := time.RFC3339
			if o.format == "rfc5424micro" {
				layout = "2006-01-02T15:04:05.000000Z07:00"
			}
			dst = append(dst, "1 "...)
			dst = t.AppendFormat(dst, layout)
			dst = append(append(append(dst, ' '), host...), ' ')
			dst = append(append(dst, tag...), ' ')
			dst = append(append(dst, pid...), ' ')
			dst = append(append(dst, tag...), " - "...)
		default:
			dst = t.AppendFormat(dst, time.Stamp)
			if o.format == "rfc3164" {
				dst = append(append(dst, ' '), host...)
			}
			dst = append(append(dst, ' '), tag...)
			dst = append(append(append(dst, '['), pid...), "]: "...)
		}
		return append(dst, msg...)
	}
	return s
}

// newJournalWriter sends entries to the systemd journal in its native
// protocol, one datagram each, with the fields Docker's journald driver
// sets. MESSAGE uses the binary-safe field form so any bytes pass.
func newJournalWriter(o options, id string) *netSink {
	tag := renderTag(o.tag, id)
	short := id
	if len(short) > 12 {
		short = short[:12]
	}
	s := &netSink{}
	s.dial = func() (net.Conn, error) {
		return net.DialTimeout("unixgram", journalSocket, netTimeout)
	}
	s.format = func(dst []byte, stream string, msg []byte, partial bool, _ time.Time) []byte {
		dst = append(dst, "MESSAGE\n"...)
		dst = binary.LittleEndian.AppendUint64(dst, uint64(len(msg)))
		dst = append(append(dst, msg...), '\n')
		dst = append(dst, "PRIORITY="...)
		dst = strconv.AppendInt(dst, int64(severity(stream)), 10)
		dst = append(dst, "\nSYSLOG_IDENTIFIER="...)
		dst = append(dst, tag...)
		dst = append(dst, "\nCONTAINER_ID="...)
		dst = append(dst, short...)
		dst = append(dst, "\nCONTAINER_ID_FULL="...)
		dst = append(dst, id...)
		dst = append(dst, "\nCONTAINER_TAG="...)
		dst = append(dst, tag...)
		if partial {
			dst = append(dst, "\nCONTAINER_PARTIAL_MESSAGE=true"...)
		}
		return append(dst, '\n')
	}
	return s
}
