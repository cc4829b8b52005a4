package bnlab.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's "Beyond BatchNorm" example, as printed there. */
class NormsReadmeExampleTest {

  @Test
  void readmeExample() {
    Tensor x = Tensor.zeros(8, 16, 4, 4);
    new Rng(1).fillUniform(x, -1f, 1f);

    // per-sample normalizations: nothing depends on the batch, train and eval agree
    Tensor y = new GroupNorm(4, 16).forward(x); // 4 groups of 4 channels
    Tensor z = new LayerNorm(16, 4, 4).forward(x); // each image over (C, H, W)
    Tensor w = new InstanceNorm2d(16).forward(x); // each (image, channel) plane

    // BatchNorm variants with BatchNorm2d's state names (checkpoints move between them)
    GhostBatchNorm ghost = new GhostBatchNorm(16, 4); // statistics of virtual batches of 4
    BatchRenorm renorm = new BatchRenorm(16); // paper schedule: plain BN for 5000 steps
    BatchRenorm quick =
        new BatchRenorm(
            16,
            BatchRenorm.linear(100, 2000, 1, 3), // rmax 1 until step 100, 3 from step 2000
            BatchRenorm.linear(100, 2000, 0, 5), // dmax 0 -> 5
            1e-5,
            0.1,
            true);
    Tensor g = ghost.forward(x);

    // fine-tuning: freeze every BatchNorm (gamma, beta, running statistics), even in train()
    Sequential model =
        new Sequential()
            .add("conv1", new Conv2d(16, 8, 3, 1, 1, false))
            .add("bn1", new BatchNorm2d(8))
            .add("relu1", new ReLU());
    model.forward(x); // running statistics move
    int frozen = Freeze.batchNorm(model); // 1

    // inference: fold BatchNorm into the convolution (eval mode only)
    model.eval();
    Sequential fast = Fold.convBn(model); // conv1 (now with a bias), relu1

    assertTrue(y.hasShape(8, 16, 4, 4) && z.hasShape(8, 16, 4, 4) && w.hasShape(8, 16, 4, 4));
    assertTrue(g.hasShape(8, 16, 4, 4) && renorm.numFeatures() == quick.numFeatures());
    assertEquals(1, frozen);
    assertEquals(List.of("conv1", "relu1"), List.copyOf(fast.children().keySet()));
    float[] a = model.forward(x).toArray();
    float[] b = fast.forward(x).toArray();
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 1e-5 * (1 + Math.abs(a[i])), "entry " + i);
    }
  }
}
