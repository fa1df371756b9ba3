package sdp

import (
	"fmt"
	"net/netip"
)

func fmtv(format string, a ...any) string { return fmt.Sprintf(format, a...) }

var netipLocal = netip.MustParseAddrPort("203.0.113.5:30000")
