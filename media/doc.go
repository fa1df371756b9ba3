// Package media is Deskline's pure-Go media engine: RTP sessions on a pool of
// ports, symmetric RTP, G.711 µ-law/A-law and transcoding between them, and
// the relay that carries a call's audio between two legs. Later stages (jitter
// buffer, DTMF, tones, prompts, recorder, mixer, SRTP) are added as small
// stages of the same pipeline.
//
// Imports: nothing of Deskline's. It knows nothing of SIP, queues or storage.
// Importers: appliance (which adapts it for calls) and hw tests.
package media
