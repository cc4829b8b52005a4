package bnlab.reference;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * The few libtorch entry points the generator needs, through DJL's PyTorch engine.
 *
 * <p>{@link #batchNorm} calls libtorch's {@code torch::nn::functional::batch_norm} directly with
 * PyTorch's own momentum convention (DJL's {@code NDArrayEx.batchNorm} takes MXNet's {@code 1 - m}
 * in float32, and cannot pass an absent weight); an absent weight or bias is passed as a null
 * tensor, exactly like {@code F.batch_norm(x, rm, rv, None, None, ...)}.
 */
final class Torch {
  static final String ENGINE = "PyTorch";
  private static Method nativeBatchNorm;
  private static Object lib;

  private Torch() {}

  /** Loads libtorch (offline) and pins it to one intra-op thread, so results are reproducible. */
  static NDManager start() {
    Engine engine = Engine.getEngine(ENGINE);
    JniUtils.setNumThreads(1);
    JniUtils.setNumInteropThreads(1);
    return NDManager.newBaseManager(Device.cpu(), engine.getEngineName());
  }

  static String describe() {
    Engine engine = Engine.getEngine(ENGINE);
    return "libtorch "
        + engine.getVersion()
        + " CPU kernels via DJL "
        + Engine.getDjlVersion()
        + " ("
        + engine.getEngineName()
        + " engine), "
        + JniUtils.getNumThreads()
        + " intra-op thread, float32 unless stated";
  }

  static NDArray f32(NDManager m, float[] values, long... shape) {
    return m.create(values, new Shape(shape));
  }

  static NDArray param(NDManager m, float[] values, long... shape) {
    NDArray a = f32(m, values, shape);
    a.setRequiresGradient(true);
    return a;
  }

  /**
   * {@code torch.nn.functional.batch_norm(x, runningMean, runningVar, weight, bias, training,
   * momentum, eps)}; updates the running buffers in place when training. {@code weight} and {@code
   * bias} may be null (affine=False).
   */
  static NDArray batchNorm(
      NDArray x,
      NDArray runningMean,
      NDArray runningVar,
      NDArray weight,
      NDArray bias,
      boolean training,
      double momentum,
      double eps) {
    try {
      if (nativeBatchNorm == null) {
        Class<?> c = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
        Field f = c.getDeclaredField("LIB");
        f.setAccessible(true);
        lib = f.get(null);
        nativeBatchNorm =
            c.getDeclaredMethod(
                "torchNNBatchNorm",
                long.class,
                long.class,
                long.class,
                long.class,
                long.class,
                boolean.class,
                double.class,
                double.class);
        nativeBatchNorm.setAccessible(true);
      }
      long handle =
          (long)
              nativeBatchNorm.invoke(
                  lib,
                  handle(x),
                  handle(runningMean),
                  handle(runningVar),
                  handle(weight),
                  handle(bias),
                  training,
                  momentum,
                  eps);
      PtNDArray ptX = (PtNDArray) x;
      return new PtNDArray(ptX.getManager(), handle);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot reach libtorch's batch_norm through DJL", e);
    }
  }

  private static long handle(NDArray a) {
    return a == null ? 0L : ((PtNDArray) a).getHandle();
  }

  static float[] floats(NDArray a) {
    if (a.getDataType() != DataType.FLOAT32) {
      throw new IllegalArgumentException("expected float32, got " + a.getDataType());
    }
    return a.toFloatArray();
  }

  static long[] shape(NDArray a) {
    return a.getShape().getShape();
  }
}
