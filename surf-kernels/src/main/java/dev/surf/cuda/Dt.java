package dev.surf.cuda;

import dev.surf.core.DType;

/** The dtype codes the kernels take at run time (cuda/common.cuh: DT_F32 ... DT_I64). */
final class Dt {
    private Dt() {
    }

    static int code(DType t) {
        return switch (t) {
            case F32 -> 0;
            case BF16 -> 1;
            case F16 -> 2;
            case I32 -> 3;
            case I64 -> 4;
        };
    }
}
