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
 *       ScalarConvPlan} (the twin), {@code Im2colGemmPlan} and {@code DirectConvPlan} (vector, on
 *       the batch loop of {@code ChunkedPlan}), {@code TapGemmPlan} (channels-last). A new
 *       algorithm is a new strategy constant, a new plan class and a line in the factory's rule;
 *       layers do not change;
 *   <li>{@link bnlab.kernel.PoolActivationKernels}: ReLU and 2×2 max pooling;
 *   <li>{@link bnlab.kernel.OptimKernels}: SGD and Adam/AdamW steps;
 *   <li>{@link bnlab.kernel.NormKernels}: BatchNorm and its family.
 * </ul>
 *
 * <p>Multi-threaded kernels split work into a fixed number of chunks ({@link
 * bnlab.kernel.Parallel}) and reduce in a fixed order, so results are bit-identical for any thread
 * count.
 */
package bnlab.kernel;
