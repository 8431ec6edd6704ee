/**
 * Flow-matching sampling for Wan 2.1: the official schedules ({@link dev.surf.models.sched.FlowSchedule}),
 * the official FlowUniPC sampler and a flow Euler sampler ({@link dev.surf.models.sched.Solver}),
 * classifier-free guidance, and the official sampling defaults. Scalars follow the official float32 /
 * float64 arithmetic; tensor updates go through {@link dev.surf.core.Backend#combine} only, so they run
 * on any backend.
 */
package dev.surf.models.sched;
