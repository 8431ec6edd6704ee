package dev.surf.models.sched;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Schedule construction against numbers printed in spec/wan21.md §3.4 and an independent NumPy run. */
class FlowScheduleTest {

    // spec/wan21.md §3.4, "Resulting integer timesteps for N = 50"
    private static final String SPEC_T50_SHIFT5 = """
            999 995 991 987 982 978 973 968 963 957 952 946 940 934 927 920 913 906 898 890 882 873 863 854 843
            833 821 809 796 783 768 753 737 720 701 681 660 636 611 584 555 522 487 448 405 356 302 241 172 92""";
    private static final String SPEC_T50_SHIFT8 = """
            999 997 994 991 989 986 983 979 976 973 969 965 961 957 953 948 944 939 934 928 922 916 910 903 896
            888 880 871 862 852 841 830 817 804 789 773 756 737 716 692 666 636 603 565 521 470 409 337 249 140""";
    private static final String SPEC_T50_SHIFT3 = """
            999 992 985 978 971 963 956 948 939 931 922 913 904 894 884 874 864 853 841 829 817 805 792 778 764
            749 734 718 701 684 666 647 627 606 585 562 538 512 486 458 428 396 363 327 290 249 206 160 111 57""";

    // spec/wan21.md §3.4, "fp32 sigmas for shift 5.0" (numpy's shortest float32 repr, so parsing is exact)
    private static final String SPEC_SIGMAS_SHIFT5 = """
            0.99979985 0.99573237 0.99153048 0.98718739 0.98269582 0.97804803 0.97323579 0.96825016 0.96308166 0.95771992
            0.95215404 0.94637203 0.94036108 0.9341073 0.92759573 0.9208101 0.91373265 0.90634418 0.8986237 0.89054847
            0.88209325 0.8732307 0.86393064 0.85415983 0.84388161 0.83305538 0.82163614 0.80957383 0.79681247 0.78328955
            0.76893473 0.7536689 0.73740238 0.72003359 0.70144641 0.68150812 0.66006571 0.63694239 0.6119324 0.584795
            0.55524677 0.52295148 0.48750731 0.44843021 0.4051314 0.3568877 0.30280069 0.24174035 0.17226514 0.092506856 0""";

    // Shift 8, N = 149 and 151: computed once with NumPy 2.4.6 in float64, independently of this code:
    //   smax = float(np.float32(1 - 1/1000)); s = np.linspace(smax, 0.0, N + 1)[:-1]
    //   s = 8.0 * s / (1 + 7.0 * s); t = (s * 1000).astype(np.int64)
    // The same in float32 gives 617 instead of 616 at index 124 (N = 149) and 933 instead of 932 at
    // index 55 (N = 151): the cases spec §10.2 warns about. Both start 999 999.
    private static final String NUMPY_T149_SHIFT8 = """
            999 999 998 997 996 995 994 993 992 991 990 990 989 988 987 986 985 984 982 981 980 979 978 977 976 975
            974 972 971 970 969 968 966 965 964 962 961 960 958 957 955 954 953 951 950 948 946 945 943 942 940 938
            937 935 933 931 929 927 926 924 922 920 918 915 913 911 909 907 904 902 900 897 895 892 890 887 884 881
            879 876 873 870 867 863 860 857 854 850 847 843 839 835 831 827 823 819 815 810 806 801 796 791 786 781
            775 769 764 758 752 745 739 732 725 717 710 702 694 686 677 668 658 648 638 628 616 605 593 580 567 553
            538 523 507 490 472 453 433 411 389 365 339 311 282 251 217 180 141 98 51""";
    private static final String NUMPY_T151_SHIFT8 = """
            999 999 998 997 996 995 994 993 992 992 991 990 989 988 987 986 985 984 983 982 981 980 978 977 976 975
            974 973 972 970 969 968 967 966 964 963 962 960 959 958 956 955 953 952 950 949 947 946 944 943 941 939
            938 936 934 932 931 929 927 925 923 921 919 917 915 913 911 909 906 904 902 899 897 895 892 889 887 884
            881 879 876 873 870 867 864 861 857 854 851 847 844 840 836 832 828 824 820 816 812 807 802 798 793 788
            783 777 772 766 760 754 748 742 735 728 721 714 706 698 690 682 673 664 655 645 635 624 613 601 589 576
            563 549 534 519 503 486 468 449 429 408 385 361 336 308 279 248 214 178 139 96 50""";

    private static long[] longs(String s) {
        return Arrays.stream(s.trim().split("\\s+")).mapToLong(Long::parseLong).toArray();
    }

    @Test
    void specTimestepsForFiftySteps() {
        assertArrayEquals(longs(SPEC_T50_SHIFT5), FlowSchedule.unipc(50, 5.0).timesteps());
        assertArrayEquals(longs(SPEC_T50_SHIFT8), FlowSchedule.unipc(50, 8.0).timesteps());
        assertArrayEquals(longs(SPEC_T50_SHIFT3), FlowSchedule.unipc(50, 3.0).timesteps());
    }

    @Test
    void specFloat32SigmasForShiftFive() {
        String[] tok = SPEC_SIGMAS_SHIFT5.trim().split("\\s+");
        float[] got = FlowSchedule.unipc(50, 5.0).solverSigmas();
        assertEquals(51, tok.length);
        assertEquals(51, got.length);
        for (int i = 0; i < tok.length; i++) {
            assertEquals(Float.parseFloat(tok[i]), got[i], 0f, "sigma " + i);
        }
    }

    @Test
    void float64GridDecidesTheTruncationAtShiftEight() {
        FlowSchedule s149 = FlowSchedule.unipc(149, 8.0);
        FlowSchedule s151 = FlowSchedule.unipc(151, 8.0);
        assertArrayEquals(longs(NUMPY_T149_SHIFT8), s149.timesteps());
        assertArrayEquals(longs(NUMPY_T151_SHIFT8), s151.timesteps());
        assertEquals(616, s149.timestep(124));
        assertEquals(932, s151.timestep(55));
    }

    @Test
    void officialStepLookupTakesTheSecondOfDuplicateTimesteps() {
        assertEquals(0, FlowSchedule.unipc(50, 5.0).officialStepIndex(999));
        assertEquals(1, FlowSchedule.unipc(149, 8.0).officialStepIndex(999));
        assertEquals(49, FlowSchedule.unipc(50, 5.0).officialStepIndex(92));
        assertEquals(-1, FlowSchedule.unipc(50, 5.0).officialStepIndex(500));
    }

    @Test
    void unipcGridStartsAtFloat32OfPoint999() {
        assertEquals(0.9990000128746033, FlowSchedule.UNIPC_SIGMA_MAX, 0.0);
        FlowSchedule s = FlowSchedule.unipc(10, 1.0);
        assertEquals(0.9990000128746033, s.sigma(0), 0.0);
        assertEquals(999, s.timestep(0));
    }

    @Test
    void eulerGridStartsAtOne() {
        FlowSchedule s = FlowSchedule.euler(4, 8.0);
        assertEquals(1.0, s.sigma(0), 0.0);
        assertEquals(1000, s.timestep(0));
        // 8 * 0.75 / (1 + 7 * 0.75) = 6 / 6.25 = 0.96 in float64 (exactly the rounding of 0.96)
        assertEquals(0.96, s.sigma(1), 0.0);
        assertEquals(960, s.timestep(1)); // 0.96 * 1000 in float64 is 960.0 exactly rounded: no truncation trap
        assertEquals(0f, s.solverSigma(4), 0f);
    }

    @Test
    void singleStepSchedules() {
        FlowSchedule u = FlowSchedule.unipc(1, 5.0);
        assertEquals(1, u.steps());
        assertEquals(999, u.timestep(0));
        assertEquals(2, u.solverSigmas().length);
        // 5 s / (1 + 4 s) at s = smax, in float64
        double smax = 0.9990000128746033;
        assertEquals((float) (5 * smax / (1 + 4 * smax)), u.solverSigma(0), 0f);
        assertEquals(0f, u.solverSigma(1), 0f);
        FlowSchedule e = FlowSchedule.euler(1, 5.0);
        assertEquals(1000, e.timestep(0));
        assertArrayEquals(new float[] {1f, 0f}, e.solverSigmas(), 0f);
        assertArrayEquals(new float[] {1000f}, e.modelTimesteps(), 0f);
    }

    @Test
    void shiftFormula() {
        assertEquals(0.75, FlowSchedule.shift(0.5, 3.0), 0.0);
        assertEquals(0.3, FlowSchedule.shift(0.3, 1.0), 0.0);
        assertEquals(1.0, FlowSchedule.shift(1.0, 7.0), 0.0);
        assertEquals(0.0, FlowSchedule.shift(0.0, 7.0), 0.0);
    }

    @Test
    void modelTimestepsAreTheIntegersAsFloats() {
        FlowSchedule s = FlowSchedule.unipc(50, 5.0);
        float[] f = s.modelTimesteps();
        long[] t = longs(SPEC_T50_SHIFT5);
        for (int i = 0; i < t.length; i++) {
            assertEquals((float) t[i], f[i], 0f);
            assertEquals((float) t[i], s.modelTimestep(i), 0f);
        }
    }

    @Test
    void rejectsBadArguments() {
        var e1 = assertThrows(IllegalArgumentException.class, () -> FlowSchedule.unipc(0, 5.0));
        assertTrue(e1.getMessage().contains("steps"), e1.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> FlowSchedule.euler(10, 0.0));
        assertTrue(e2.getMessage().contains("shift"), e2.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FlowSchedule.unipc(10, -1.0));
        assertThrows(IllegalArgumentException.class, () -> FlowSchedule.unipc(10, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> FlowSchedule.euler(10, Double.POSITIVE_INFINITY));
    }

    @Test
    void accessorsReturnCopies() {
        FlowSchedule s = FlowSchedule.unipc(4, 8.0);
        s.solverSigmas()[0] = 7f;
        s.timesteps()[0] = 7;
        s.sigmas()[0] = 7;
        assertEquals(999, s.timestep(0));
        assertTrue(s.solverSigma(0) < 1f && s.sigma(0) < 1.0);
        assertEquals(FlowSchedule.unipc(4, 8.0), s);
    }
}
