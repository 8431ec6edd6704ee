package dev.surf.core;

import java.util.Arrays;

/** An immutable tensor shape: row-major (C order), the last dimension fastest. */
public final class Shape {
    private final int[] dims;
    private final long numel;

    private Shape(int[] dims) {
        long n = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(dims));
            }
            n = Math.multiplyExact(n, (long) d);
        }
        this.dims = dims;
        this.numel = n;
    }

    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    /** Shape from long dimensions (as stored in safetensors headers), rejecting any above int range. */
    public static Shape ofLongs(long[] dims) {
        int[] d = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("dimension out of range: " + dims[i]);
            }
            d[i] = (int) dims[i];
        }
        return new Shape(d);
    }

    public int rank() {
        return dims.length;
    }

    /** Size of dimension i; negative i counts from the end (-1 is the last). */
    public int dim(int i) {
        return dims[i < 0 ? dims.length + i : i];
    }

    public int[] dims() {
        return dims.clone();
    }

    public long numel() {
        return numel;
    }

    /** Product of all dimensions but the last: the number of rows when viewed as a matrix. */
    public long rows() {
        return dims.length == 0 ? 1 : numel / Math.max(1, dims[dims.length - 1]);
    }

    /** Product of dims[from..to). */
    public long size(int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) {
            n *= dims[i];
        }
        return n;
    }

    /** A copy with dimension i replaced. */
    public Shape with(int i, int value) {
        int[] d = dims.clone();
        d[i < 0 ? d.length + i : i] = value;
        return new Shape(d);
    }

    /** Row-major element strides. */
    public long[] strides() {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
