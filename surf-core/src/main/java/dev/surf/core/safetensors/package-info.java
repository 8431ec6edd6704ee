/**
 * Reading and writing safetensors weight files.
 *
 * <p>{@link dev.surf.core.safetensors.SafetensorsFile} maps one file with the FFM API and parses only
 * its JSON header, so opening a multi-gigabyte checkpoint costs as much as its header; tensor bytes
 * are handed out as zero-copy slices of the mapping. {@link dev.surf.core.safetensors.WeightStore}
 * joins a single file, a folder of files or a sharded checkpoint ({@code *.safetensors.index.json})
 * into one name space and turns tensors into backend {@link dev.surf.core.Tensor}s. Names are
 * taken as stored: which model a name belongs to, and in which naming convention, is for surf-models
 * to say.
 * {@link dev.surf.core.safetensors.Inspect} renders the tensor listing of {@code surf inspect}, and
 * {@link dev.surf.core.safetensors.SafetensorsWriter} writes files atomically.
 *
 * <p>Files are untrusted input: every header is validated against the file size before any tensor
 * byte is touched, and every problem surfaces as a
 * {@link dev.surf.core.safetensors.SafetensorsException} that names the file and the defect, never
 * as an out-of-bounds read, a runtime exception from deep inside a parser, or an out-of-memory error.
 */
package dev.surf.core.safetensors;
