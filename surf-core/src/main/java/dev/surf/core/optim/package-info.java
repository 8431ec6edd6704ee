/**
 * Training utilities that know nothing about a model: named parameters with F32 master weights
 * ({@link dev.surf.core.optim.Parameter}, {@link dev.surf.core.optim.ParameterSet}), the AdamW
 * optimizer as {@code torch.optim.AdamW} ({@link dev.surf.core.optim.AdamW}), global-norm gradient
 * clipping ({@link dev.surf.core.optim.GradClip}), an exponential moving average of the weights
 * ({@link dev.surf.core.optim.Ema}), learning-rate schedules ({@link dev.surf.core.optim.LrSchedule}),
 * gradient accumulation over micro-batches ({@link dev.surf.core.optim.GradAccumulator}), a seeded,
 * resumable data order ({@link dev.surf.core.optim.DataOrder}) and checkpoints that resume bit for
 * bit ({@link dev.surf.core.optim.TrainCheckpoint}).
 *
 * <p>Everything is written against {@link dev.surf.core.Backend} and {@link dev.surf.core.Tensor}, so
 * a training loop runs unchanged on the CPU and on CUDA. Gradients come from whoever computes them
 * (the tape in {@code dev.surf.core.grad}, or a hand-written backward): this package only sees a
 * gradient tensor per parameter.
 */
package dev.surf.core.optim;
