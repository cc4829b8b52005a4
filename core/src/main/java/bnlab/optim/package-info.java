/**
 * Optimizers with PyTorch's semantics and names: {@link bnlab.optim.SGD}, {@link bnlab.optim.Adam},
 * {@link bnlab.optim.AdamW} behind the small {@link bnlab.optim.Optimizer} interface, and {@link
 * bnlab.optim.ParamGroup parameter groups} for per-group learning rates and weight decay (e.g. no
 * decay on BN parameters with {@link bnlab.optim.ParamGroups#decayExceptNormAndBias}).
 *
 * <pre>{@code
 * Optimizer opt = new Adam(model.parameters(), 1e-3);
 * for (...) {
 *   opt.zeroGrad();
 *   model.backward(loss.backward(model.forward(x), labels));
 *   opt.step();
 * }
 * }</pre>
 *
 * <p>The element-wise update loops are the optimizer kernels of {@code bnlab.kernel} (a scalar loop
 * and a bit-identical Vector API twin, chosen once per process).
 */
package bnlab.optim;
