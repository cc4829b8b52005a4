/**
 * Internal: the numerical kernels behind the layers and optimizers. Not part of the public API
 * (applications use {@link bnlab.runtime.Compute}); all {@code jdk.incubator.vector} imports live
 * in this package.
 *
 * <p>{@link bnlab.kernel.KernelProvider#get()} is chosen once per process and hands out one
 * implementation per concern, each a naive scalar version and a Vector API twin that tests compare
 * at awkward sizes:
 *
 * <ul>
 *   <li>{@link bnlab.kernel.GemmKernels}: matrix products described by a {@link
 *       bnlab.kernel.GemmShape} ({@code ScalarGemm}; {@code VectorGemm} with the micro-kernel
 *       families {@code BroadcastGemm} and {@code DotGemm});
 *   <li>{@link bnlab.kernel.ConvKernels}: a factory of {@link bnlab.kernel.ConvPlan}s, each made
 *       once per geometry, batch and mode and naming its {@link bnlab.kernel.ConvStrategy}: {@code
 *       ScalarConvPlan} (the twin), {@code Im2colGemmPlan}, {@code DirectConvPlan} and {@code
 *       WinogradPlan} (vector, on the batch loop of {@code ChunkedPlan}), {@code TapGemmPlan}
 *       (channels-last). A new algorithm is a new strategy constant, a new plan class and a line in
 *       the factory's rule; layers do not change;
 *   <li>{@link bnlab.kernel.PoolActivationKernels}: ReLU, 2×2 max pooling and the residual
 *       addition;
 *   <li>{@link bnlab.kernel.OptimKernels}: SGD and Adam/AdamW steps;
 *   <li>{@link bnlab.kernel.NormKernels}: BatchNorm and its family.
 * </ul>
 *
 * <p>Multi-threaded kernels split work into a fixed number of chunks ({@link
 * bnlab.kernel.Parallel}) and reduce in a fixed order, so results are bit-identical for any thread
 * count.
 *
 * <p><b>One reduction order for every vector width.</b> A vector sum in the width's own order (L
 * lanes, then a tree over L) gives different bits on AVX2 (8 floats) and AVX-512 (16), and so a
 * different training run for the same seed. The vector kernels that reduce therefore all follow
 * {@link bnlab.kernel.Reduction}'s order: a run of values is cut into a body of full blocks of P =
 * 16 and a tail; body value j is added (or fused-multiply-added, where the kernel uses FMA) to
 * partial sum j mod 16 in run order — lane j of one 512-bit accumulator, lane j mod 8 of the (j /
 * 8)-th of two 256-bit ones, of the (j / 4)-th of four 128-bit ones, or one L-lane slice per pass
 * in the GEMM's register blocks; the 16 partials are combined by a fixed pairwise tree (8, 4, 2, 1;
 * {@code VectorTree} takes the same pairs on 128-bit registers); the tail is summed in order on its
 * own (in double for normalization statistics, in float with FMA for dot products) and added last.
 * Elementwise kernels, the broadcast GEMM (each element of C sums over k in order) and per-channel
 * lanes with the remaining channels done with the same float operations one by one are
 * width-independent as they stand; so are the choices between code paths (thresholds are in units
 * of 16 floats, not of the vector width). This covers the normalization kernels ({@code
 * VectorBatchNorm*}, {@code VectorGroupNorm}), {@code DotGemm} and the direct convolution's weight
 * gradient ({@code DirectConv.weightGradImages}). Winograd's transforms are elementwise adds and
 * subtractions (the same in every lane and scalar), its products run on the broadcast GEMM, and its
 * groups of images do not depend on the width. {@code WidthIndependenceTest} runs them at 128, 256
 * and 512 bits in JVMs of their own and compares the bits. The scalar twins are the naive formulas
 * (double accumulators, no FMA) and are not bit-identical to the vector kernels.
 *
 * <p><b>Choices made by timing.</b> Where two forms of a kernel compute the same values by the same
 * operations in the same order, but which one C2 compiles into faster code depends on the core (not
 * only on the width and register count the rules see), {@code KernelRace} times both on the machine
 * at hand during the first steps and keeps the faster: the direct convolution's weight gradient's
 * position loop, unrolled or one copy. Since the forms give the same bits, the race moves no
 * result.
 */
package bnlab.kernel;
