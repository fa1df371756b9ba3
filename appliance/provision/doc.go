// Package provision serves configuration files to Yealink, Grandstream and
// Polycom (Poly) desk phones over HTTP, keyed by the phone's MAC address, so
// that a phone plugged in at a desk configures itself: its SIP account, the
// box as its server, codecs, time zone, feature keys for hot desk and agent
// codes, and busy-lamp keys for colleagues.
//
// A phone gets nothing until an admin assigns its MAC address to an
// extension. Requests for unassigned MACs are answered 404 and remembered
// (bounded) so that the panel can list the phones seen on the network and
// offer to assign them. Each assigned phone has its own random provisioning
// credentials (HTTP Basic, 64-bit user name and 128-bit password, never
// derived from the MAC) and is only ever served its own files. See Service
// for the enrolment policy that lets a factory-fresh phone make its first
// fetch, and for the failure rate limit.
//
// The package renders text/template files embedded in the binary; each
// template names, in comments, the vendor manual its parameters come from.
// Every value that comes from outside (display names, passwords) is
// sanitised for the target format before a template sees it.
//
// Imports: the standard library only. The integrator persists phones through
// the small Store interface (MemStore is an in-memory implementation for
// tests and demos; provisiontest.TestStore checks any implementation).
//
// Installers point phones at the box with DHCP option 66, e.g.
// "http://site:ENROLPASS@192.0.2.10:8080/provision/" where the phone
// accepts credentials in the URL (Options.EnrolUser), or type the phone's
// own credentials (shown in the panel) into its web page.
// Importers: appliance, which mounts Service.Handler at /provision/ and
// adapts its extension configuration and storage.
package provision
