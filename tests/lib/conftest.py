"""Fixtures shared by the library tests."""
import pytest


@pytest.fixture
def torch_float64():
    """PyTorch's default dtype set to float64 for the test (then restored). With the float32
    default, PyTorch keeps step counters and NAdam's mu_product in float32 tensors; the
    comparisons are against its float64 arithmetic."""
    torch = pytest.importorskip("torch")
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)
