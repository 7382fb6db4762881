import pytest
from emocourse.data.images import ImageProblem, read_image
from images import corrupt_jpeg, decompression_bomb, exif_rotated_jpeg, photo, sixteen_bit_png, truncated_png


def test_plain_image_needs_no_fix(tmp_path):
    fixes = []
    image = read_image(photo(tmp_path / "a.jpg"), fixes=fixes)
    assert image.mode == "RGB" and image.size == (48, 48) and fixes == []


def test_exif_rotation_is_applied(tmp_path):
    fixes = []
    assert read_image(exif_rotated_jpeg(tmp_path / "r.jpg"), fixes=fixes).size == (20, 40)
    assert fixes == ["rotated upright (EXIF orientation 6)"]


def test_cmyk_palette_and_16_bit_are_converted(tmp_path):
    fixes = []
    assert read_image(photo(tmp_path / "c.jpg", mode="CMYK"), fixes=fixes).mode == "RGB"
    assert read_image(photo(tmp_path / "p.png", mode="P"), fixes=fixes).mode == "RGB"
    grey = read_image(sixteen_bit_png(tmp_path / "s.png"), mode="L", fixes=fixes)
    assert grey.getextrema() == (0, 255)  # the 16-bit range is scaled, not clipped to white
    assert [f.split()[0] for f in fixes] == ["converted", "flattened", "scaled"]


@pytest.mark.parametrize(
    "make, message",
    [
        (corrupt_jpeg, "corrupt or truncated|not an image"),
        (truncated_png, "corrupt or truncated"),
        (decompression_bomb, "decompression bomb"),
    ],
    ids=["corrupt-jpeg", "truncated-png", "bomb"],
)
def test_bad_files_raise_with_the_file_name(tmp_path, make, message):
    path = make(tmp_path / ("bad.jpg" if make is corrupt_jpeg else "bad.png"))
    with pytest.raises(ImageProblem, match=message) as error:
        read_image(path)
    assert str(path) in str(error.value)


def test_images_over_our_own_pixel_limit_are_refused(tmp_path):
    with pytest.raises(ImageProblem, match="8400x8400 pixels is over the 64,000,000 pixel limit"):
        read_image(decompression_bomb(tmp_path / "huge.png", side=8400))
