import numpy as np


def edges(data: bytes) -> int:
    import cv2

    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    return int(cv2.Canny(image, 100, 200).sum())
