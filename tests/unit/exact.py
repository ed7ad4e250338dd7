"""Values compared exactly: every value and type, floats by their bits, in order."""

import io
import pickle


def exactly(value) -> bytes:
    """`value` as a pickle that writes shared objects out in full (aliasing is not compared)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(value)
    return buffer.getvalue()
