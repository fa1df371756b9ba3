// Package ivr holds IVR flows as data and their interpreter.
//
// A Flow is a graph of blocks keyed by id (play, menu, collect, say,
// time_condition, goto, set, record, hangup, and custom kinds the
// appliance registers in a Kinds registry, such as agent login). It is
// JSON with stable snake_case field names: the panel edits it, the store
// keeps it, Export and Import move it between boxes. ValidateWith checks a
// flow before it is saved and names every problem by block and field.
//
// Publishing makes an immutable *Published version (Publish, or a Library
// that keeps every version); Run interprets one version on a caller's
// Channel until the call is transferred or hung up, and holds that version
// for the whole call, so publishing again never disturbs calls in progress.
//
// The appliance adapts its SIP channel (or an analog port) to Channel and
// media/prompt's speller to Sayer: this package plays and hears nothing
// itself and knows no SIP.
//
// Imports: acd (to carry out agent actions), nothing else of Deskline's.
// Importers: appliance, which provides the Channel.
package ivr
