// Package wav reads and writes the audio files of the media engine: WAV
// (RIFF/WAVE) files with PCM, float or G.711 samples, and headerless G.711
// or linear files (.ul, .al, .sln).
//
// Decode turns an uploaded or embedded file into 16-bit linear samples at
// its own rate and channel count; Audio.To8kMono downmixes and resamples
// that to the engine's 8 kHz mono through an anti-alias low-pass. Decoding
// works on a byte slice (prompts and uploads are small), never trusts a
// header's sizes beyond the bytes actually present, and refuses what the
// media engine cannot play with an error that tells the user what to upload
// instead.
//
// Writer records 8 kHz audio to a WAV file in a crash-tolerant way: Flush
// writes buffered samples, patches the header's sizes and syncs the file,
// so a file cut by power loss plays up to its last Flush. RepairHeader
// fixes the sizes of such a file from its length afterwards.
//
// Imports: the standard library and github.com/zaf/g711 only.
// Importers: media/prompt, media/record, appliance.
package wav
