package bnlab.nn;

import bnlab.tensor.Tensor;

/**
 * A learnable tensor and the gradient accumulated for it.
 *
 * <p>{@link #grad()} has the shape of {@link #data()}; {@code backward} passes add into it ({@code
 * +=}, as micrograd and PyTorch do) and {@link Module#zeroGrad()} clears it. The arrays are never
 * replaced, so an optimizer may keep references to them. A parameter with {@link #requiresGrad()}
 * false is skipped by the optimizers, as PyTorch skips parameters whose grad is None.
 */
public final class Parameter {
  /** What a parameter is, so optimizers can treat groups differently (no decay on norms). */
  public enum Role {
    /** Weight of a convolution or linear layer. */
    WEIGHT,
    /** Bias of a convolution or linear layer. */
    BIAS,
    /** Scale (gamma) or shift (beta) of a normalization layer. */
    NORM
  }

  private final Tensor data;
  private final Tensor grad;
  private final Role role;
  private boolean requiresGrad = true;

  /** A parameter over {@code data} (not copied) with a zero gradient of the same shape. */
  public Parameter(Tensor data, Role role) {
    this.data = data;
    this.grad = Tensor.zeros(data.shape());
    this.role = role;
  }

  /** The values. */
  public Tensor data() {
    return data;
  }

  /** The accumulated gradient, same shape as {@link #data()}. */
  public Tensor grad() {
    return grad;
  }

  /** What this parameter is. */
  public Role role() {
    return role;
  }

  /** Whether optimizers update this parameter. */
  public boolean requiresGrad() {
    return requiresGrad;
  }

  /** Switches learning of this parameter on or off (PyTorch's {@code requires_grad_}). */
  public Parameter requiresGrad(boolean value) {
    this.requiresGrad = value;
    return this;
  }

  /** Sets the gradient to zero. */
  public void zeroGrad() {
    grad.fill(0f);
  }

  /** Number of elements. */
  public int size() {
    return data.size();
  }
}
