// Package tlscert keeps the box's TLS certificate: the one generated on
// first start (self-signed ECDSA P-256, named after the box's host name and
// addresses) or one an administrator uploaded in its place. The panel's
// HTTPS listener and SIP over TLS both serve it through Store.GetCertificate,
// so a replacement takes effect on the next handshake, without a restart.
//
// Files: <dir>/cert.pem (the certificate, then any chain) and <dir>/key.pem
// (the private key, mode 0600), each written to a temporary file, synced
// and renamed into place.
//
// Imports: nothing of Deskline's. Importers: appliance.
package tlscert
