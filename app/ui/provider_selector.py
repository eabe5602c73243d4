"""The toolbar's Model list: shows the `ProviderService`'s providers and its current choice;
the user's choice goes back to the service (which remembers it)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget

from app.services.providers import ProviderService


class ProviderSelector(QComboBox):
    def __init__(self, providers: ProviderService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("providerSelector")
        self.setAccessibleName(self.tr("Provider and model"))
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.providers = providers
        self._fill()
        self.currentIndexChanged.connect(self._on_chosen)
        providers.listChanged.connect(self._fill)
        providers.currentChanged.connect(self._show_current)

    def _fill(self) -> None:
        self.blockSignals(True)
        try:
            self.clear()
            for p in self.providers.providers:
                label = (
                    self.tr("{provider}  (offline)") if self.providers.blocked(p) else "{provider}"
                )
                self.addItem(label.format(provider=p.label), p.id)
                self.setItemData(self.count() - 1, p.base_url, Qt.ItemDataRole.ToolTipRole)
            self.setCurrentIndex(max(0, self.findData(self.providers.current.id)))
        finally:
            self.blockSignals(False)

    def _show_current(self, provider_id: str) -> None:
        index = self.findData(provider_id)
        if index >= 0 and index != self.currentIndex():
            self.blockSignals(True)
            self.setCurrentIndex(index)
            self.blockSignals(False)

    def _on_chosen(self, index: int) -> None:
        provider_id = self.itemData(index)
        if provider_id:
            self.providers.select(str(provider_id), remember=True)
