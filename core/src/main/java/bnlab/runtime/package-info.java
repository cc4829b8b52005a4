/** Public runtime settings: the kernel implementation in use and the kernel thread count. */
package bnlab.runtime;
