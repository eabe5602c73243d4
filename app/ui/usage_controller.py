"""Usage and cost: the conversation's total in the status bar, View → Usage, the budget.

Every figure is computed from the history (each answer keeps its usage), so totals survive
restarts. The Usage window shows a month at a time: a bar per day, stacked by provider
(drawn with QPainter: QtCharts is not in PySide6-Essentials), and the totals per provider.
With a monthly budget (setting `usage.monthly_budget_usd`, 0 = none), a request to a paid
provider first asks once the month's spending has passed it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from app.core.asyncutil import Tasks
from app.core.providers import PROVIDERS
from app.core.usage import (
    Cost,
    Month,
    conversation_cost,
    format_cost,
    is_free,
    month_start,
    months,
)
from app.services.history import HistoryService
from app.services.providers import ProviderService
from app.services.settings import SettingsService
from app.services.translation import translated
from app.ui import theme
from app.ui.conversation_tabs import ConversationTabs

# One colour per provider in the chart (then a grey for any other).
COLOURS = {"zai": "#4c78a8", "bigmodel": "#72b7b2", "openrouter": "#f58518"}
COLOURS |= {"openrouter-free": "#eeca3b", "local": "#54a24b", "custom": "#b279a2"}


def provider_name(provider_id: str) -> str:
    provider = PROVIDERS.get(provider_id)
    return provider.name if provider is not None else provider_id or "?"


class UsageChart(QWidget):
    """A month's days as bars of cost (tokens where nothing cost anything), stacked by
    provider. objectName: usageChart."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usageChart")
        self.setMinimumSize(560, 220)
        self.month: Month | None = None

    def show_month(self, month: Month | None) -> None:
        self.month = month
        self.update()

    def _value(self, cost: Cost, by_money: bool) -> float:
        return (cost.usd or 0.0) if by_money else float(cost.tokens_in + cost.tokens_out)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(64, 10, -10, -24)
        painter.setPen(theme.color("muted"))
        month = self.month
        if month is None or not month.providers:
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.tr("No usage this month"))
            return
        by_money = (month.total.usd or 0.0) > 0
        days = 31
        top = (
            max(
                (sum(self._value(c, by_money) for c in d.values()) for d in month.days.values()),
                default=1.0,
            )
            or 1.0
        )
        width = rect.width() / days
        for day, per_provider in month.days.items():
            y = rect.bottom()
            for provider_id, cost in sorted(per_provider.items()):
                height = rect.height() * self._value(cost, by_money) / top
                colour = QColor(COLOURS.get(provider_id, "#999999"))
                x = rect.left() + (day - 1) * width + 1
                painter.fillRect(QRectF(x, y - height, max(1.0, width - 2), height), colour)
                y -= height
        painter.setPen(theme.color("muted"))
        for day in (1, 10, 20, 30):
            x = rect.left() + (day - 0.5) * width
            painter.drawText(
                QRectF(x - 12, rect.bottom() + 4, 24, 16), Qt.AlignmentFlag.AlignCenter, str(day)
            )
        label = f"${top:.4f}" if by_money else f"{int(top):,}"
        painter.drawText(QRectF(0, rect.top() - 4, 60, 16), Qt.AlignmentFlag.AlignRight, label)
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())


class UsageWindow(QDialog):
    """View → Usage. objectNames: usageWindow, usageMonth, usageChart, usageTotals,
    usageBudget, usageBudgetField."""

    def __init__(
        self, settings: SettingsService | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("usageWindow")
        self.setWindowTitle(self.tr("Usage"))
        self.month_choice = QComboBox()
        self.month_choice.setObjectName("usageMonth")
        self.chart = UsageChart()
        self.totals = QLabel()
        self.totals.setObjectName("usageTotals")
        self.totals.setTextFormat(Qt.TextFormat.RichText)
        self.budget = QLabel()
        self.budget.setObjectName("usageBudget")
        self.budget.setWordWrap(True)
        self.settings = settings
        self.budget_field = QDoubleSpinBox()
        self.budget_field.setObjectName("usageBudgetField")
        self.budget_field.setRange(0, 1_000_000)
        self.budget_field.setDecimals(2)
        self.budget_field.setPrefix("$")
        self.budget_field.setSpecialValueText(self.tr("none"))
        self.budget_field.setEnabled(settings is not None)
        if settings is not None:
            self.budget_field.setValue(float(settings.get("usage.monthly_budget_usd")))  # type: ignore[arg-type]
        self.budget_field.editingFinished.connect(self._set_budget)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Monthly budget:")))
        row.addWidget(self.budget_field)
        row.addWidget(self.budget, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.month_choice)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.totals)
        layout.addLayout(row)
        self._budget = 0.0
        self._months: dict[str, Month] = {}
        self.month_choice.currentIndexChanged.connect(lambda _i: self._show())
        self.resize(640, 440)

    def _set_budget(self) -> None:
        """The budget, saved (setting usage.monthly_budget_usd); 0: none."""
        if self.settings is not None:
            self.settings.apply({"usage.monthly_budget_usd": round(self.budget_field.value(), 2)})
            self._budget = self.budget_field.value()
            self._show()

    def show_months(self, by_month: dict[str, Month], budget: float) -> None:
        self._months = by_month
        self._budget = budget
        current = self.month_choice.currentData()
        self.month_choice.blockSignals(True)
        self.month_choice.clear()
        for key in sorted(by_month, reverse=True):
            self.month_choice.addItem(key, key)
        self.month_choice.blockSignals(False)
        index = self.month_choice.findData(current)
        self.month_choice.setCurrentIndex(max(0, index))
        self._show()

    def _show(self) -> None:
        month = self._months.get(self.month_choice.currentData() or "")
        self.chart.show_month(month)
        if month is None:
            self.totals.setText(self.tr("No answers with usage yet."))
            self.budget.clear()
            return
        rows = "".join(
            f"<tr><td><span style='color:{COLOURS.get(p, '#999999')}'>■</span> "
            f"{provider_name(p)}</td><td align='right'>&nbsp;&nbsp;{translated(format_cost(c))}"
            "</td></tr>"
            for p, c in sorted(month.providers.items())
        )
        total = self.tr("In all: {cost}").format(cost=translated(format_cost(month.total)))
        self.totals.setText(f"<table>{rows}</table><p><b>{total}</b></p>")
        if self._budget > 0:
            spent = month.total.usd or 0.0
            self.budget.setText(
                self.tr("${budget:.2f} a month: {percent:.0f} % used.").format(
                    budget=self._budget, percent=100 * spent / self._budget
                )
            )
        else:
            self.budget.setText(self.tr("No budget: no warning before a request."))


class UsageController(QObject):
    def __init__(
        self,
        history: HistoryService,
        tabs: ConversationTabs,
        providers: ProviderService,
        settings: SettingsService | None,
        show: Callable[[str], None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.history, self.tabs, self.providers, self.settings = history, tabs, providers, settings
        self.window_parent = parent
        self.tasks = Tasks()
        self.label = QLabel()
        self.label.setObjectName("conversationUsage")
        self.label.setProperty("tone", "muted")
        self.action = QAction(self.tr("&Usage"), self)
        self.action.setObjectName("usageAction")
        self.action.triggered.connect(lambda: self.open_window())
        self.window: UsageWindow | None = None
        self.month_spent = 0.0  # this month's spending, from the history
        self._asked_this_month = ""  # the month the user said "send anyway" in
        tabs.currentTabChanged.connect(lambda _t: self.show_conversation())
        tabs.tabOpened.connect(self._wire)
        self._show = show

    def _wire(self, tab: object) -> None:
        session = tab.session  # type: ignore[attr-defined]
        session.messageFinished.connect(lambda _i: self._answered())

    def _answered(self) -> None:
        if not Shiboken.isValid(self.label):
            return  # an answer's end arriving as the window goes
        self.show_conversation()
        self.tasks.start(self.refresh())

    def budget(self) -> float:
        return float(self.settings.get("usage.monthly_budget_usd")) if self.settings else 0.0  # type: ignore[arg-type]

    def show_conversation(self) -> None:
        """The status bar: what the current conversation has cost so far."""
        tab = self.tabs.current_tab()
        cost = conversation_cost(tab.conversation) if tab is not None else Cost()
        if cost.tokens_in + cost.tokens_out == 0:
            self.label.clear()
            return
        self.label.setText(
            self.tr("This conversation: {cost}").format(cost=translated(format_cost(cost)))
        )

    async def refresh(self) -> dict[str, Month]:
        """Read the history's usage (on its worker) into the month's spending and the window."""
        rows = await self.history.usage_rows()
        by_month = await asyncio.to_thread(months, rows)
        start = month_start()
        self.month_spent = sum(r.cost.usd or 0.0 for r in rows if r.created >= start)
        window = self.window  # the app may have quit while the history was read
        if window is not None and Shiboken.isValid(window) and window.isVisible():
            window.show_months(by_month, self.budget())
        return by_month

    def open_window(self) -> UsageWindow:
        if self.window is None:
            self.window = UsageWindow(self.settings, self.window_parent)
        self.window.show()
        self.window.raise_()
        self.tasks.start(self.refresh())
        return self.window

    def may_send(self) -> bool:
        """Before a request: past the month's budget, a paid provider asks first (once a
        month: "Send anyway" is remembered until the month ends)."""
        budget = self.budget()
        provider = self.providers.current
        if budget <= 0 or self.month_spent < budget or is_free(provider.id, provider.model):
            return True
        key = month_key()
        if self._asked_this_month == key:
            return True
        answer = QMessageBox.question(
            self.window_parent,
            self.tr("Monthly budget passed"),
            self.tr(
                "This month's spending, ${spent:.2f}, has passed your budget of "
                "${budget:.2f}. Send anyway? (You will not be asked again this month.)"
            ).format(spent=self.month_spent, budget=budget),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._asked_this_month = key
            return True
        self._show(self.tr("Not sent: the monthly budget has been passed."))
        return False


def month_key() -> str:
    return time.strftime("%Y-%m")
