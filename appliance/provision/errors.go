package provision

import "errors"

// Errors returned by this package, wrapped with detail; test with errors.Is.
var (
	// ErrInvalid: an argument or setting is malformed; the message names the
	// field (mac, vendor, model, extension, blf, server, port, transport,
	// time zone, ...).
	ErrInvalid = errors.New("provision: invalid")
	// ErrNotFound: no phone is assigned to this MAC (Store implementations
	// return it, wrapped or not, from Get for an absent MAC).
	ErrNotFound = errors.New("provision: not found")
	// ErrUnknownFile: the file name is not one this package serves, or it is
	// another vendor's file for an assigned phone.
	ErrUnknownFile = errors.New("provision: unknown file")
)
