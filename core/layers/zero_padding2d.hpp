#pragma once
// ZeroPadding2D, as keras.layers.ZeroPadding2D: padding=int, (rows, cols) or ((top, bottom), (left, right)).

#include "core/layers/layer.hpp"

namespace convscope {

struct ZeroPadding2DConfig {
    int top = 1, bottom = 1, left = 1, right = 1;
    static ZeroPadding2DConfig symmetric(int rows, int cols) { return {rows, rows, cols, cols}; }
};

class ZeroPadding2D : public Layer {
public:
    explicit ZeroPadding2D(ZeroPadding2DConfig config = {}) : config_(config) {}
    const char* type_name() const override { return "ZeroPadding2D"; }
    void validate() const override;
    Shape output_shape(const std::vector<Shape>& inputs) const override;
    void forward(const std::vector<const Tensor3*>& inputs, Tensor3& output, const Context& ctx) const override;
    std::string keras_line() const override;
    std::unique_ptr<Layer> clone() const override { return std::make_unique<ZeroPadding2D>(*this); }
    const ZeroPadding2DConfig& config() const { return config_; }

private:
    ZeroPadding2DConfig config_;
};

}  // namespace convscope
