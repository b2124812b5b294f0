#pragma once
// The fully resolved geometry of one Conv2D call, shared by the reference and the fast kernels.
// All sizes are in elements; tensors are dense and channels-last:
//   input  (in_h, in_w, in_c)
//   kernel (kernel_h, kernel_w, in_c, filters)      -- the Keras layout
//   bias   (filters) or nullptr
//   output (out_h, out_w, filters)
// Output pixel (oy, ox) reads input rows oy*stride_h - pad_top + ky*dilation_h (likewise columns);
// rows/columns outside the input are zeros (the padding).

namespace convscope {

struct Conv2DParams {
    int in_h = 0, in_w = 0, in_c = 0;
    int kernel_h = 1, kernel_w = 1, filters = 1;
    int stride_h = 1, stride_w = 1;
    int dilation_h = 1, dilation_w = 1;
    int pad_top = 0, pad_left = 0;  // bottom/right padding is implied by out_h/out_w
    int out_h = 0, out_w = 0;
};

}  // namespace convscope
