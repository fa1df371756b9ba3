package tlscert_test

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"deskline/appliance/tlscert"
)

// A box opens its certificate store at start: the first time, a
// certificate is generated; later starts load it. The Store's TLSConfig
// serves whatever certificate is current, so Replace needs no restart.
func Example() {
	dir, _ := os.MkdirTemp("", "tls")
	defer os.RemoveAll(dir)
	names := tlscert.Names{Host: "deskline", DNS: []string{"deskline.local"}, IPs: []netip.Addr{netip.MustParseAddr("192.0.2.10")}}
	store, generated, err := tlscert.Open(filepath.Join(dir, "tls"), names, time.Now)
	if err != nil {
		fmt.Println(err)
		return
	}
	in := store.Info()
	fmt.Println(generated, in.Generated, in.Subject, in.DNSNames, in.IPs)
	_ = store.TLSConfig() // for tls.Listen or http.Server.TLSConfig

	// An upload whose key does not match is refused with the reason.
	cert, _, _ := tlscert.Generate(names, time.Now())
	_, otherKey, _ := tlscert.Generate(names, time.Now())
	_, err = store.Replace(cert, otherKey)
	fmt.Println(err)
	// Output:
	// true true CN=deskline,OU=Deskline device certificate,O=Deskline [deskline deskline.local] [192.0.2.10]
	// invalid certificate: key: does not belong to the certificate (the first one in cert)
}
