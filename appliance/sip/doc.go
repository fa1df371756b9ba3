// Package sip is Deskline's SIP signalling on sipgo: UDP, TCP and TLS transports,
// the registrar with digest authentication, and calls between extensions as a
// back-to-back user agent whose media is always anchored on the box.
//
// SIP types (sipgo's) never leave this package: the rest of appliance sees
// Bindings, CallInfo and CallRecord. It is imported only by appliance.
package sip
