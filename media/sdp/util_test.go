package sdp

import "fmt"

func fmtv(format string, a ...any) string { return fmt.Sprintf(format, a...) }
