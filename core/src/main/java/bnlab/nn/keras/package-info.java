/**
 * Keras-flavoured constructions of bnlab layers: Keras argument names, defaults and the
 * channels-last layout, mapped onto the same kernels and PyTorch-named state as {@link bnlab.nn}.
 */
package bnlab.nn.keras;
