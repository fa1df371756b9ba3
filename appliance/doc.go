// Package appliance is the Deskline daemon: it loads configuration, opens the
// store, starts every subsystem in dependency order, wires them together and
// stops them in reverse order. It owns call control: SIP signalling
// (appliance/sip), the dial plan (appliance/dialplan) and calls as bridges of
// legs. Its TLS certificate (appliance/tlscert) serves the HTTPS panel and
// SIP over TLS. The ACD engine (acd) lives in a contactCentre (acd.go):
// its configuration, agent states and queue log are stored here
// (acdconfig.go) and served to the panel (acdapi.go). Desk phones are
// provisioned by appliance/provision, stored and served at /provision/ on
// both web listeners, and managed through the panel (phones.go).
//
// Imports: webui, ivr, acd, media, hw and storage — appliance is the
// composition root. Importers: only its thin main, appliance/cmd/deskline.
// Nothing else in Deskline may import appliance; SIP types never leave it.
package appliance
