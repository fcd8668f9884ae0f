"""Why a file could not be read as problems, in one line naming the file."""


class ProblemLoadError(Exception):
    def __init__(self, path: object, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")
