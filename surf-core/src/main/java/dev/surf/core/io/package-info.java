/**
 * The engine's one output policy. Every command declares what it reads and writes in an
 * {@link dev.surf.core.io.OutputPlan} before it computes anything; the plan refuses an output that is (or
 * resolves to) an input, anything but a regular file or a new path, and a folder that already exists, so a
 * refused run changes nothing on disk. Writers then go through {@link dev.surf.core.io.AtomicOutput}: a
 * temporary name beside the target, renamed when complete, removed on failure and on SIGINT
 * ({@link dev.surf.core.io.PendingFiles}). docs/reliability.md lists the guarantees and their tests.
 */
package dev.surf.core.io;
