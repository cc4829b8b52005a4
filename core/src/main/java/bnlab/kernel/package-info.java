/**
 * Internal: the numerical kernels behind the layers and optimizers, each a naive scalar version
 * and, where it pays, a Vector API twin chosen once at start-up. Not part of the public API; all
 * {@code jdk.incubator.vector} imports live in this package.
 */
package bnlab.kernel;
