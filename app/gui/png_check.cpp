// png_check: reads a PNG and prints what the GUI smoke tests assert on.
//
//   png_check FILE [--size WxH] [--min-colours N] [--has-colour R,G,B[,TOL]] [--region X,Y,W,H]
//
// Prints "WxH colours=N" and exits 0 when every given check holds, 1 otherwise (naming the failed check),
// 2 when the file cannot be read. `--min-colours` counts distinct colours (quantised to 5 bits per channel)
// so a blank or single-colour window fails. `--has-colour` looks for a pixel within TOL of the colour
// (e.g. the red error bar), inside `--region` if given.
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include <stb_image.h>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: png_check FILE [--size WxH] [--min-colours N] [--has-colour R,G,B[,TOL]] [--region X,Y,W,H]\n");
        return 2;
    }
    int w = 0, h = 0, n = 0;
    unsigned char* px = stbi_load(argv[1], &w, &h, &n, 3);
    if (!px) {
        std::fprintf(stderr, "png_check: cannot read %s: %s\n", argv[1], stbi_failure_reason());
        return 2;
    }
    int want_w = 0, want_h = 0, min_colours = 0, r = -1, g = 0, b = 0, tol = 40;
    int rx = 0, ry = 0, rw = w, rh = h;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--size") std::sscanf(v.c_str(), "%dx%d", &want_w, &want_h);
        else if (k == "--min-colours") min_colours = std::atoi(v.c_str());
        else if (k == "--has-colour") std::sscanf(v.c_str(), "%d,%d,%d,%d", &r, &g, &b, &tol);
        else if (k == "--region") std::sscanf(v.c_str(), "%d,%d,%d,%d", &rx, &ry, &rw, &rh);
    }
    std::set<int> colours;
    bool found = false;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const unsigned char* p = px + (std::size_t(y) * std::size_t(w) + std::size_t(x)) * 3;
            colours.insert((p[0] >> 3) << 10 | (p[1] >> 3) << 5 | (p[2] >> 3));
            if (r >= 0 && x >= rx && y >= ry && x < rx + rw && y < ry + rh && std::abs(p[0] - r) <= tol &&
                std::abs(p[1] - g) <= tol && std::abs(p[2] - b) <= tol)
                found = true;
        }
    stbi_image_free(px);
    std::printf("%dx%d colours=%zu\n", w, h, colours.size());
    int status = 0;
    if (want_w && (w != want_w || h != want_h)) {
        std::printf("FAIL: size %dx%d, expected %dx%d\n", w, h, want_w, want_h);
        status = 1;
    }
    if (int(colours.size()) < min_colours) {
        std::printf("FAIL: %zu distinct colours, expected at least %d (blank window?)\n", colours.size(), min_colours);
        status = 1;
    }
    if (r >= 0 && !found) {
        std::printf("FAIL: no pixel near (%d, %d, %d) in region %d,%d %dx%d\n", r, g, b, rx, ry, rw, rh);
        status = 1;
    }
    return status;
}
