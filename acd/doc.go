// Package acd is the automatic call distributor: queues, agents and routing as
// a deterministic engine with an injected clock — strategies, skills and
// penalties, wrap-up, pauses, profiles, timings, teams, callbacks, statistics,
// queue log events and supervisor actions.
//
// Imports: nothing of Deskline's. Importers: appliance (which executes its
// decisions), ivr (agent actions) and webui (read-only types).
package acd
