package dev.surf.models.pipeline;

/** How fresh noise is re-injected at a resolution switch (spec/surf.md §2). */
public enum ReshiftMode {
    /** (1 - sigma_k) x0_low + sigma_k eps: on the rectified-flow path at sigma_k (default). */
    FLOW_CONSISTENT,
    /** x0_low + sigma_k eps: the paper's eq. (2) as printed. */
    PAPER_LITERAL
}
