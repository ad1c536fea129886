from modules.service.sla.models.calendar import BusinessCalendar, CalendarHoliday, WorkingInterval
from modules.service.sla.models.clock import CaseClock
from modules.service.sla.models.policy import SlaPolicy, SlaTarget

__all__ = ["BusinessCalendar", "CalendarHoliday", "CaseClock", "SlaPolicy", "SlaTarget", "WorkingInterval"]
