// Package ivr holds IVR flows as data (a validated graph of blocks) and their
// interpreter over a small Channel interface (play, collect digits, record,
// transfer), including the built-in flows for agent login, logout and pause,
// hot desk and voicemail.
//
// Imports: acd (to carry out agent actions), nothing else of Deskline's.
// Importers: appliance, which provides the Channel.
package ivr
